"""The five scenarios of the bench, each a ``run(ctx) -> ScenarioResult`` function."""
