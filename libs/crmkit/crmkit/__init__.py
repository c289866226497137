"""The CRM's shared platform. Nothing in here knows about leads, deals or billing."""
