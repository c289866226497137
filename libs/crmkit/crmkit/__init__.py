"""The CRM's shared platform. Nothing in here knows about leads, deals or billing."""
import warnings

# eventlet announces its maintenance mode on every import; ARCHITECTURE.md records the
# decision to keep it (nameko 2) and where it may not go, so the banner is only noise.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
