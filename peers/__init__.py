"""Simulators of the external national systems the register talks to (DESIGN.md §1, §6).

The real systems (住基ネット, J-LIS, 中間サーバ …) are closed networks.  jumin builds its own
side for real and talks to these simulators over real HTTP in the tests and the demo.  Nothing
in ``src/jumin`` imports this package: it is not part of the product.
"""
