"""socialmart core: settings, the pipeline steps, publishing and the command line."""
