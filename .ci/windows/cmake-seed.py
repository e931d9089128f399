#!/usr/bin/env python3
"""cmake-seed.py CMakeCache.txt > seed.cmake

Writes the results of a finished cmake configure's checks (check_include_file,
check_function_exists, check_type_size, check_c_compiler_flag...: the INTERNAL
cache entries that are not cmake's own) as an initial-cache script.  Given to
cmake with -C, the checks find their variables defined and are skipped: the
cross configure of libevent took 150 s of CPU spawning the compiler once per
check, and 2 s seeded.  The generated files (event-config.h, config.h) came
out identical byte for byte.  build-deps.sh uses the seeds in this folder;
regenerate them from an unseeded configure (EVONION_WIN_NO_SEED=1) whenever
the toolchain or a package's configure changes.
"""
import re
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[0])
    print('# cmake initial cache: configure-check results (from .ci/windows/cmake-seed.py)')
    for line in open(sys.argv[1], encoding='utf-8'):
        m = re.match(r'^([A-Za-z_][A-Za-z0-9_]*):INTERNAL=(.*)$', line.rstrip('\n'))
        if not m:
            continue
        key, value = m.groups()
        if key.startswith(('CMAKE_', '_CMAKE', '_GNUInstallDirs', 'FIND_PACKAGE_')):
            continue
        value = value.replace('\\', '\\\\').replace('"', '\\"')
        print('set(%s "%s" CACHE INTERNAL "")' % (key, value))


if __name__ == '__main__':
    main()
