from crmkit.migrations import run_env
from subscriptions.models import Base

run_env(Base.metadata)
