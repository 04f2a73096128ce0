"""EMG conditioning: band-pass, mains notch, ECG removal, envelope, resting level.

Modules: :mod:`.filters` (band-pass, mains detection and notch, envelope),
:mod:`.baseline` (resting level and its quality flags), :mod:`.ecg` (R peaks
and cardiac-artefact removal), :mod:`.condition` (all of it for one channel).
"""
