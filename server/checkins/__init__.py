"""Trainee check-in: session secrets, judging confirmation proofs."""
