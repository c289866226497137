"""``python -m crmkit setup|run <service>``: the same as ``crm-service``."""
from .cli import service_main

service_main()
