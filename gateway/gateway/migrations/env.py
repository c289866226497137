from crmkit.migrations import run_env
from gateway.auth import Base

run_env(Base.metadata)
