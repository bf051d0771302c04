"""fem_spin's tests: unit/, verification/, regression/; shared helpers in helpers/."""
