"""tfd_ros: the Text-Front-Door, a semantic compiler from operator text to robot directives."""

__version__ = '0.1.0'
