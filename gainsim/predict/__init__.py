"""Theory applied to a scenario: each plant's closed forms, each policy's predicted bounds and errors, `gainsim explain`, and the z-plane loops."""
