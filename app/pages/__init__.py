"""Pages: the printable picture-supported page behind each link we send, its links and
its pictograms."""
