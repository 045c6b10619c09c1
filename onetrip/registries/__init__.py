"""Shared registries (政务共享数据库) and once-only (免提交): the population and company
registries behind one query interface with access rules, the provider boundary for a provincial
data exchange, company representatives verified through the company registry, and the materials
a registry supplies instead of the applicant. See docs/registries.md."""
