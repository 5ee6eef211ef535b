// drivers_test's ATA modes (ata_test.cc): `ata SECTORS` and `ata-restart ROUNDS`.
#pragma once

#include <stdint.h>

namespace test {
void ata_mode(const char* sectors);
void ata_restart_mode(const char* rounds);
} // namespace test
