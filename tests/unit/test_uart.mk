test_uart_SRCS := src/dev/uart.c
