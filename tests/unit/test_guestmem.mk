test_guestmem_SRCS := src/core/guestmem.c src/core/realmap.c
test_guestmem_LIBS := -lpthread
