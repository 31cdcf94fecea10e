"""Teaching content served as data: the examples menu and the guided lessons."""
