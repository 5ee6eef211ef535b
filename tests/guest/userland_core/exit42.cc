// exit42 [STATUS]: ends through proc's exit with STATUS (a signed decimal), 42 without one.
#include "program.h"

int main() {
    loader::StartArguments args = program::arguments();
    int32_t status = 42;
    if (args.argc > 1 && !program::parse_int(args.argv[1], status)) status = 255;
    program::exit(status);
}
