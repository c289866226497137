from billing.models import Base
from crmkit.migrations import run_env

run_env(Base.metadata)
