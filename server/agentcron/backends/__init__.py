"""Where tasks live and who fires them: the embedded local backend and hosted adapters."""
