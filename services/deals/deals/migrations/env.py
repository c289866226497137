from crmkit.migrations import run_env
from deals.models import Base

run_env(Base.metadata)
