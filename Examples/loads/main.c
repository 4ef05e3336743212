// Greets through libgreet.so.1.
void greet(const char *name);

int main(int argc, char **argv) {
  greet(argc > 1 ? argv[1] : "world");
  return 0;
}
