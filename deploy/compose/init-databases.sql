-- One database per service: each service owns its schema and migrates it alone.
-- Run by the postgres image on its first start only (an empty data volume), as
-- POSTGRES_USER, who therefore owns the three databases.
CREATE DATABASE leads;
CREATE DATABASE deals;
CREATE DATABASE billing;
