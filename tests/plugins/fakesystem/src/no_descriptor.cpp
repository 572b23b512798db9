// A shared library that is not a disputed plugin (no descriptor symbol).
extern "C" int not_a_plugin() { return 42; }
