"""The FastAPI service and the ``kg`` command line, thin layers over ``graph`` and ``extract``."""
