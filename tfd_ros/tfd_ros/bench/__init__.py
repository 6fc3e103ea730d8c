"""Benchmarks of tfd_ros against bare rclpy baselines measured in the same run."""
