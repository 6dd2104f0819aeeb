"""Publishing the spec's DNS records into zones other people also write to (merge-safe, any provider)."""
