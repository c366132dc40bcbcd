"""Builds the extension smmap._smmap with CMake; the metadata is in pyproject.toml,
but for the version, which is the CMake project's.

The CMake project at the repository root builds the library and the binding;
here only the target smmap_python is built, in a build tree of its own under
setuptools' build_temp, and the module is copied next to the façade.
Environment: CMAKE (the cmake program, default "cmake"), SMMAP_BUILD_JOBS
(parallel jobs, default the CPU count), SMMAP_CMAKE_ARGS (more -D options).
"""
import os
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def project_version():
    """The project's one version, from project(smmap VERSION x.y.z) in CMakeLists.txt."""
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as cmake:
        return re.search(r"project\(smmap VERSION (\d+\.\d+\.\d+)", cmake.read()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        cmake = os.environ.get("CMAKE", "cmake")
        build_dir = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        configure = [
            cmake, "-S", ROOT, "-B", build_dir,
            "-DCMAKE_BUILD_TYPE=Release",
            "-DPython3_EXECUTABLE=" + sys.executable,
            "-DSMMAP_BUILD_PYTHON=ON",
            "-DSMMAP_BUILD_TESTS=OFF", "-DSMMAP_BUILD_TOOLS=OFF", "-DSMMAP_BUILD_EXAMPLES=OFF",
            "-DSMMAP_BUILD_BENCHMARKS=OFF", "-DSMMAP_INSTALL=OFF",
        ] + shlex.split(os.environ.get("SMMAP_CMAKE_ARGS", ""))
        jobs = os.environ.get("SMMAP_BUILD_JOBS") or str(os.cpu_count() or 1)
        subprocess.run(configure, check=True)
        subprocess.run([cmake, "--build", build_dir, "--target", "smmap_python", "-j", jobs],
                       check=True)
        built = os.path.join(build_dir, "python", "smmap", os.path.basename(self.get_ext_filename(ext.name)))
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built, target)


setup(version=project_version(), ext_modules=[Extension("smmap._smmap", sources=[])], cmdclass={"build_ext": CMakeBuild})
