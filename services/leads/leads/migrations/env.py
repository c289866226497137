from crmkit.migrations import run_env
from leads.models import Base

run_env(Base.metadata)
