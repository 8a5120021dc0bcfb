/* rax at the exit fault (see start.hpp): "JanusXit" in ASCII, so a #UD carrying it is not mistaken for a
   stray ud2. Shared by the assembly start code and C++. */
#pragma once
#define JANUS_USER_EXIT_MARKER 0x4a616e7573586974
