"""The platforms `make bench-peers` measures Gazette against (bench/peers.py): how each is
installed, started on loopback, loaded with the same content and stopped. Their configuration
templates and seed scripts are in bench/peers/."""
