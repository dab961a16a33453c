"""Time: reporting periods, working days and meetings, and the jobs that use them."""
