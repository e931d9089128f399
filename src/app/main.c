/* main.c — placeholder until the flags module lands. */
int main(void) { return 0; }
