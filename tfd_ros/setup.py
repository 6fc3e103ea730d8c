from glob import glob

from setuptools import find_packages, setup

package_name = 'tfd_ros'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        ('share/' + package_name + '/config', glob('config/*.yaml')),
        ('share/' + package_name + '/launch', glob('launch/*_launch.py')),
    ],
    install_requires=['setuptools'],
    zip_safe=True,
    maintainer='tfd_ros maintainers',
    maintainer_email='maintainers@tfd-ros.dev',
    description='Text-Front-Door: operator text to validated, priced robot directives.',
    license='Apache-2.0',
    tests_require=['pytest'],
    entry_points={
        'console_scripts': [
            'tfd = tfd_ros.cli:main',
            'tfd_node = tfd_ros.tfd_node:main',
            'econ_controller = tfd_ros.econ_node:main',
            'tfd_bringup = tfd_ros.bringup:main',
        ],
    },
)
