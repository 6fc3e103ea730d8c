"""``tfd_bringup``: tfd_node and econ_controller in one process, for machines without launch."""

from tfd_ros.node_main import run_nodes


def main(args=None) -> int:
    """Run both nodes in one executor until interrupted."""
    from tfd_ros.econ_node import EconControllerNode
    from tfd_ros.tfd_node import TfdNode
    return run_nodes(lambda: [TfdNode(), EconControllerNode()], args)


if __name__ == '__main__':
    raise SystemExit(main())
