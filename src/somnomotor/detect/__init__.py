"""Activity in EMG channels: leg movements (:mod:`.legs`) and bursts in any muscle."""
