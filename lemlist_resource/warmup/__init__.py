"""lemwarm, lemlist's warm-up, as a resource: ``Warmup`` / ``WarmupArgs`` (``.resource``).

``rules`` (lemlist's ranges, standard library only: the lint and the policy pack use it),
``client`` (lemlist's four lemwarm routes over the shared transport), ``provider`` (Pulumi's
CRUD) and ``resource``. Nothing is imported here, so ``rules`` loads without Pulumi; the public
names are exported lazily by :mod:`lemlist_resource`.
"""
