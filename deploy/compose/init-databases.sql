-- One database per service: each service owns its schema and migrates it alone;
-- gateway holds the API tokens of crm-gateway (REST and gRPC).
-- Run by the postgres image on its first start only (an empty data volume), as
-- POSTGRES_USER, who therefore owns the databases. The dev overlay's postgres-init
-- (deploy/k8s/overlays/dev/kustomization.yaml) lists the same ones.
CREATE DATABASE leads;
CREATE DATABASE deals;
CREATE DATABASE billing;
CREATE DATABASE subscriptions;
CREATE DATABASE gateway;
