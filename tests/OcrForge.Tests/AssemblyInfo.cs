// Tests share libtorch's process-wide random generator and thread pool: a seeded test that runs while another
// test draws from the generator sees different numbers. Running test classes one after another keeps every
// seeded comparison exact; the whole suite still takes well under a minute.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
