"""OneTrip (一次办): the platform a district runs for the 'at most one trip' reform."""
