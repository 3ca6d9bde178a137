/* placeholder, replaced below */
#include "common.h"
int cmd_curve(int argc, char **argv) { (void)argc; (void)argv; return EXIT_USAGE; }
