"""Applications built on the library: end-to-end runs that join its parts.

The library (``io`` … ``score``, ``staging``, ``simulate``, ``store``, ``diary``,
``analysis``, ``report``, ``export``, ``batch``, ``web``) never imports this
package; only the command line does.  ``month`` simulates a run of nights with
a diary and files them in a store; ``demo`` runs that month through ``compare``.
"""
