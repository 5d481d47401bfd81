"""Staff accounts: administrators add, change and close them."""
