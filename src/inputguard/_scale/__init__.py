"""Private helpers of the scale-out layer (`inputguard.arrow`, `inputguard.spark`)."""
