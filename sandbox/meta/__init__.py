"""The Meta Marketing API (Graph API) stand-in: scenario, generator, endpoints, truth."""
