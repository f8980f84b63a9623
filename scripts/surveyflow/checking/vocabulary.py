"""Values the estimates tables spell, defined once: the CI method names and the mean row's label.

Imports nothing, so the bootstrap engine and the config check (run when the workflow is
parsed) can use these without loading pandera; the schemas declare them as allowed values.
"""

#: `ci_method` / `ci_used` of an estimates table, and the methods the bootstrap engine knows:
#: ``paper`` as published, ``percentile`` and ``bca`` bootstrap intervals, ``wilson`` (shares)
#: and ``t`` (means) analytic references.
CI_METHODS = ("paper", "percentile", "bca", "wilson", "t")

#: `label` of the row kind "mean of the answers" (RQ5's 45.41%) beside the share rows; the
#: analyses write it, the reproduction check, captions and figures pick the row out by it.
MEAN_LABEL = "Mean"
