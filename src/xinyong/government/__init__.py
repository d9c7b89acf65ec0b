"""Government integrity (政务诚信): archives of government bodies and civil servants, government dishonesty
records and the fault-tolerance exemption, government commitments and contracts with their fulfilment, and
the regional evaluation with local government debt warnings (GOV-1..GOV-4)."""
