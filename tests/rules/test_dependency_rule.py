#!/usr/bin/env python3
"""The dependency-rule checker itself: on a small made-up tree it names exactly the includes
that break the rule, with file and line, and passes a tree that follows it."""
import os
import subprocess
import sys
import tempfile
import unittest

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dependency_rule.py")

TREE = {
    "kernel/uapi/axolotl/abi.h": "",
    "kernel/thread.h": '#include "axolotl/abi.h"\n',
    "kernel/bad.cc": '#include "kernel/thread.h"\n#include "lib/ipc/message.h"\n',
    "lib/ipc/message.h": '#include "axolotl/abi.h"\n#include "interfaces/labels.h"\n',
    "interfaces/labels.h": "",
    "interfaces/stream/protocol.h": '#include "lib/ipc/message.h"\n',
    "interfaces/console/protocol.h": '#include "interfaces/stream/protocol.h"\n',
    "interfaces/block/protocol.h": '#include "interfaces/stream/protocol.h"\n',
    "lib/driver/driver.h": '#include <stdint.h>\n#include "interfaces/stream/protocol.h"\n'
                           '#include "servers/proc/server.h"\n',
    "servers/proc/server.h": '#include "servers/proc/table.h"\n',
    "servers/proc/table.h": "",
    "servers/drivers/ata/ata.cc": '#include "servers/drivers/ata/ata.h"\n'
                                  '#include "servers/proc/table.h"\n',
    "servers/drivers/ata/ata.h": "",
    "servers/fs/ext2/ext2.h": '#include "servers/fs/cache/cache.h"\n',
    "servers/fs/cache/cache.h": "",
    "tests/unit/anything.cc": '#include "servers/proc/table.h"\n#include "kernel/thread.h"\n',
}


def run(tree):
    with tempfile.TemporaryDirectory() as root:
        for path, text in tree.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        result = subprocess.run([sys.executable, CHECKER, root], capture_output=True, text=True)
        return result.returncode, result.stdout


class DependencyRule(unittest.TestCase):
    def test_every_breaking_include_is_named_with_file_and_line(self):
        code, out = run(TREE)
        self.assertEqual(code, 1, out)
        found = sorted(line.split(": includes ")[0] for line in out.splitlines() if ": includes " in line)
        self.assertEqual(found, [
            "interfaces/block/protocol.h:1",     # an interface not listed as its base
            "kernel/bad.cc:2",                   # the kernel reaching out
            "lib/driver/driver.h:3",             # a library reaching up into a server
            "servers/drivers/ata/ata.cc:2",      # a server including another server's folder
        ])

    def test_a_tree_that_follows_the_rule_passes(self):
        tree = {k: v for k, v in TREE.items()
                if k not in ("kernel/bad.cc", "interfaces/block/protocol.h",
                             "lib/driver/driver.h", "servers/drivers/ata/ata.cc")}
        code, out = run(tree)
        self.assertEqual(code, 0, out)


if __name__ == "__main__":
    unittest.main()
