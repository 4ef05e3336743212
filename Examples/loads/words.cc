// Counts its arguments' letters with the C++ library. Built with g++ 12 it needs libstdc++'s
// GLIBCXX_3.4.29 (std::string::reserve() without an argument, new in GCC 11), which Debian 11's
// libstdc++ (GCC 10) does not have.
#include <iostream>
#include <string>

int main(int argc, char **argv) {
  std::size_t total = 0;
  for (int i = 1; i < argc; i++) {
    std::string word(argv[i]);
    word.reserve();  // Asks to shrink what the string holds to its size.
    total += word.size();
  }
  std::cout << "letters: " << total << std::endl;
  return 0;
}
