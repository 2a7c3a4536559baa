"""Live events: what users watch changed (a target's numbers, its publishing state), delivered to the
members of its workspace as it happens."""
