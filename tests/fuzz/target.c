/* libFuzzer's entry points, shared by every target: the world built once at the target's stage, each
 * input handed to the target's modes, and the world rebuilt after an input that dirtied it. */
#include <stddef.h>
#include <stdint.h>

#include "inputs.h"
#include "world.h"

static struct fuzz_world world;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_world_build(&world, fuzz_target.stage);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0)
		fuzz_target.run(&world, data[0], data + 1, size - 1);
	fuzz_world_finish_input(&world);
	return 0;
}
