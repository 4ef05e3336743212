// libgreet: a library no distribution ships, so a program linked to it loads only where it is
// shipped beside the program (RUNPATH $ORIGIN/lib).
#include <stdio.h>

void greet(const char *name) { printf("hello, %s\n", name); }
