module example.com/archway/gomod

go 1.19
